"""Store: articles, stories, facts and source health in SQLite (default) or PostgreSQL, migrated by Alembic."""
