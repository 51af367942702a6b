"""The built-in chains (each a package: schema, chain, view), their evaluator and the news analysis
they share; each registers through the `news_toolkit` entry points."""
