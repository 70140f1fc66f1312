/*
 * webhook_sig.c — signs and verifies Standard Webhooks ("svix") signatures
 * with lib/crypto, for the interop tests against the official library.
 *
 *	webhook_sig sign SECRET ID TIMESTAMP < body
 *		prints "v1,<base64>"; exit 0, or 2 with the reason
 *	webhook_sig verify SECRET ID TIMESTAMP HEADER NOW < body
 *		prints "ok" and exits 0, or prints the reason and exits 1
 *
 * The body is read raw from standard input, at most LIMIT_BODY_WEBHOOK
 * bytes.  Usage errors exit 2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limit.h"
#include "crypto/crypto.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: webhook_sig sign SECRET ID TIMESTAMP < body\n"
	    "       webhook_sig verify SECRET ID TIMESTAMP HEADER NOW "
	    "< body\n");
	exit(2);
}

/* Reads all of standard input into b; exits 2 when it is too big. */
static void
read_body(struct buf *b)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(b, chunk, n) != ERR_OK) {
			fprintf(stderr, "body over %d bytes\n",
			    LIMIT_BODY_WEBHOOK);
			exit(2);
		}
	if (ferror(stdin)) {
		perror("stdin");
		exit(2);
	}
}

int
main(int argc, char *argv[])
{
	struct buf body;
	char sig[CRYPTO_WH_SIG_SIZE], *end;
	long long now;
	enum crypto_wh r;

	if (argc < 2)
		usage();
	buf_init(&body, LIMIT_BODY_WEBHOOK);
	if (strcmp(argv[1], "sign") == 0 && argc == 5) {
		read_body(&body);
		r = crypto_wh_sign(argv[2], argv[3], argv[4], body.data,
		    body.len, sig);
		buf_free(&body);
		if (r != CRYPTO_WH_OK) {
			printf("%s\n", crypto_wh_reason(r));
			return 2;
		}
		printf("%s\n", sig);
		return 0;
	}
	if (strcmp(argv[1], "verify") == 0 && argc == 7) {
		errno = 0;
		now = strtoll(argv[6], &end, 10);
		if (errno != 0 || end == argv[6] || *end != '\0')
			usage();
		read_body(&body);
		r = crypto_wh_verify(argv[2], argv[3], argv[4], argv[5],
		    body.data, body.len, (int64_t)now);
		buf_free(&body);
		printf("%s\n", crypto_wh_reason(r));
		return r == CRYPTO_WH_OK ? 0 : 1;
	}
	buf_free(&body);
	usage();
}
