"""CoopSaaS: the books of many cooperatives in one application."""
