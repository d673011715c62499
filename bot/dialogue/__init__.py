"""Pure helpers the actions use to read shoppers' text and write French replies."""
