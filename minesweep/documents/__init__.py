"""Official documents (执法文书) rendered from cases as DOCX and PDF."""
