"""The dashboard's four pages: Compare, Explore, Live (workshop) and About."""
