"""The council: open plan discussion as a web service."""
