"""The register of businesses, associations and housing companies asked in input rounds."""
