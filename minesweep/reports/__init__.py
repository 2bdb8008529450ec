"""Public reporting platform (举报平台) and the intake queue."""
