"""The built-in chains. Each module is a plugin registered through the `news_toolkit` entry points."""
