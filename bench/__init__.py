"""Benchmarks, one command each (see BENCHMARKS.md). Not part of the application."""
