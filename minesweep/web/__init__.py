"""Staff and public web pages: layout, home, registry browsing, audit trail, language switch."""
