/* Internal to the oci_*.c files: typed reads of config.json members that
 * name the JSON path of whatever is wrong. */
#ifndef KVMC_RUNTIME_OCI_PARSE_H
#define KVMC_RUNTIME_OCI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"
#include "runtime/oci.h"

#define OCI_PATH_MAX 256

struct oci_parser {
	const struct json *j;
	const char *name;	/* file name for messages: "config.json" */
	char *err;
	size_t errlen;
};

/* Records "NAME: PATH: MSG" and returns -EINVAL (-ENOMEM for "out of
 * memory"). */
int oci_fail(struct oci_parser *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int oci_nomem(struct oci_parser *p);

/* Parses buf into j for p (p->j = j), or fails with "NAME: not valid JSON
 * (at byte N)".  The caller json_free()s j after a success. */
int oci_parser_open(struct oci_parser *p, struct json *j, const char *buf,
		    size_t len);

/* "parent.key" (or "key" when parent is empty), and "parent[i]". */
void oci_path(char *buf, const char *parent, const char *key);
void oci_path_index(char *buf, const char *parent, size_t i);

/*
 * Member key of the object obj.  Absent and null members leave *out alone
 * and return 0 (or fail with "missing" when required).  Each returns 0 or
 * a negative errno after oci_fail.
 */
int oci_member(struct oci_parser *p, int obj, const char *parent,
	       const char *key, int *tok);	/* -1 when absent or null */
int oci_get_object(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool required, int *tok);
int oci_get_array(struct oci_parser *p, int obj, const char *parent,
		  const char *key, int *tok, int *n);
int oci_get_string(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool required, char **out);
int oci_get_path(struct oci_parser *p, int obj, const char *parent,
		 const char *key, bool required, char **out);	/* absolute */
int oci_get_bool(struct oci_parser *p, int obj, const char *parent,
		 const char *key, bool *out);
int oci_get_u32(struct oci_parser *p, int obj, const char *parent,
		const char *key, bool required, uint32_t *out);
int oci_get_int64(struct oci_parser *p, int obj, const char *parent,
		  const char *key, bool *present, int64_t *out);
int oci_get_uint64(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool *present, uint64_t *out);
/* An array of objects: *items gets n elements of size bytes (zeroed), each
 * parsed by fn with its path "parent.key[i]".  *n counts the elements
 * handed to fn, so that on failure the caller frees exactly those. */
typedef int (*oci_elem_fn)(struct oci_parser *p, int tok, const char *path,
			   void *elem);
int oci_get_object_array(struct oci_parser *p, int obj, const char *parent,
			 const char *key, size_t size, void **items, size_t *n,
			 oci_elem_fn fn);
int oci_get_strv(struct oci_parser *p, int obj, const char *parent,
		 const char *key, struct oci_strv *out);
int oci_get_map(struct oci_parser *p, int obj, const char *parent,
		const char *key, struct oci_map *out);

/* The sections, each in its own file. */
int oci_parse_process(struct oci_parser *p, int tok, const char *path,
		      struct oci_process *out);
void oci_process_clear(struct oci_process *proc);
int oci_parse_linux(struct oci_parser *p, int tok, const char *path,
		    struct oci_linux *out);
void oci_linux_clear(struct oci_linux *lx);

#endif
