"""The Streamlit app's pages: one module per page (draft, tone, explore, models) plus shared helpers (common)."""
