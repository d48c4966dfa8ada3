"""Fact extraction from Persian news and its evaluation against gold."""
