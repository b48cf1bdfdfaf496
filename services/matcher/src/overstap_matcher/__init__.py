"""Matcher: ranks occupations for a person by skill overlap and explains each result."""
