#!/bin/sh
# Prints every key of the table in lib/config.c, one a line.
sed -n 's/^[[:space:]]*\(STR\|UINT\|BOOL\|ENUM\)(\([a-z0-9_]*\),.*/\2/p' lib/config.c
