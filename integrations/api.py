"""REST views: thin, like the HTML ones."""
