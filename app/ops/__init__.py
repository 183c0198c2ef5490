"""Operations: the command line, imports, seeding, backups and the schema's upkeep."""
