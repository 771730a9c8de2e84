"""Claim settlement engine: pure Python, money in integer fen, no Django import."""
