/** Trust propagation: what each tool is (untrusted source, private source, public sink, destructive) and what has
 * entered each session's context, so untrusted content cannot drive sensitive tools without approval. */
package dev.aegis.trust;
