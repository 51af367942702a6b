"""Test helpers (local fakes and servers) for the toolkit."""
