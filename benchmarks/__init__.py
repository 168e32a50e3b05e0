"""Benchmarks: tracker operations counted against their lower bound."""
