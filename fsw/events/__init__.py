"""PUS-5 event reporting."""
