/**
 * The command line: one picocli command per file, wired explicitly in {@link dev.aegis.cli.Main}. Commands parse
 * options, load configuration and call into the features; they hold no logic of their own.
 */
package dev.aegis.cli;
