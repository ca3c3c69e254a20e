"""Development and demo tools that are not part of the product: the partner simulator."""
