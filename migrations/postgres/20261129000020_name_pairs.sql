-- Searching at marketplace scale (PostgreSQL): a product's `names` holds, beside each word
-- of its name, each pair of its words ("+postgresql ubuntu"). A search for two words in
-- names reads the pair's short list from the GIN index, where it intersected the two words'
-- long ones ("ubuntu" is in a sixth of the names). The words are now written as the search
-- splits them, by the server (`index::name_terms`), like the pairs.
-- Every product is indexed again when the server starts (`index_unindexed`).
UPDATE products SET indexed_version = NULL;
