"""Fact extraction from Persian news and its evaluation against gold."""

#: The fact types, in the order reports list them: the contract shared by the extractor and the scorer.
FACT_TYPES = ("neighbourhood_count", "budget", "program", "official", "population", "percentage", "quantity")
