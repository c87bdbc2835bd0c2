/* Voucher signing: linked by the issuer, never by the redeemer. */
#include "sign.h"

err voucher_sign(voucher *v, const sig_signer *key)
{
	uint8_t msg[VOUCHER_MSG_LEN];

	voucher_message(v, msg);
	return sig_sign(key, msg, sizeof msg, v->sig);
}
