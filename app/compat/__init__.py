"""Other APIs' shapes over our records, for the clients already written against them."""
