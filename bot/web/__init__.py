"""Web chat widget (static/comptoir.js) and the tiny demo shop page that shows it in place."""
