/* The one error a command carries up to main(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "runtime/ctx.h"

static int err_code(int errnum)
{
	if (errnum > 0)
		return -errnum;
	return errnum < 0 ? errnum : -EINVAL;
}

int kvmc_err(struct kvmc_ctx *ctx, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err[0])
		return err_code(errnum);
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return err_code(errnum);
}

int kvmc_err_set(struct kvmc_ctx *ctx, int errnum, const char *fmt, ...)
{
	char msg[KVMC_ERR_MAX];
	va_list ap;

	/* Formatted aside first: fmt's arguments may point into ctx->err. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, sizeof(ctx->err), "%s", msg);
	return err_code(errnum);
}
