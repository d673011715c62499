"""Comptoir: a French customer-service assistant for web shops."""
