-- Searching at marketplace scale (PostgreSQL).
-- Every distinct word the search index holds, compared byte by byte ("C"), so that a word
-- being typed ("postg") is searched as the few whole words it starts ("postgresql"): the
-- full-text index finds a few whole words several times faster than a prefix.
CREATE TABLE search_terms (term TEXT COLLATE "C" PRIMARY KEY);
-- Products are indexed again at start-up, which fills it.
UPDATE products SET indexed_version = NULL;
