/** Rule files: parsing, strict validation with file and line, glob expansion, and the {@code check rules} command. */
package dev.vigil.rules.config;
