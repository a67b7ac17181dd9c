// SPDX-License-Identifier: MIT
/*
 * auth.c - digests over libcrypto. The only file in lib/ that includes
 * OpenSSL headers.
 */
#include <openssl/evp.h>

#include <l2tp/auth.h>

int l2tp_auth_md5(const struct l2tp_iov *iov, size_t n, uint8_t out[L2TP_MD5_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int rc = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, iov[i].base, iov[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != L2TP_MD5_LEN)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}
