/*
 * nip: the plausibility rules of nip_check, in the order of the fields.
 * A NIP is personal data: this module never logs one.
 */
#include <string.h>

#include "bytes.h"
#include "nip.h"
#include "period.h"

#define NIP_MONTH_PPPK 21

static err refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return ERR_INVALID;
}

err nip_check(const char *s, int this_year, nip_kind *kind, const char **why)
{
	int by, bm, bd, ay, am, gender, seq;

	if (strlen(s) != NIP_LEN || strspn(s, "0123456789") != NIP_LEN)
		return refuse(why, "must be 18 digits");
	by = dec_digits(s, 4);
	bm = dec_digits(s + 4, 2);
	bd = dec_digits(s + 6, 2);
	ay = dec_digits(s + 8, 4);
	am = dec_digits(s + 12, 2);
	gender = dec_digits(s + 14, 1);
	seq = dec_digits(s + 15, 3);

	if (bm < 1 || bm > 12 || bd < 1 || bd > date_days_in_month(by, bm))
		return refuse(why, "birth date is not a real date");
	if (by < 1940 || by > this_year - 15)
		return refuse(why, "birth year out of range");
	if (ay < 1960 || ay < by + 15 || ay > this_year + 1)
		return refuse(why, "appointment year out of range");
	if ((am < 1 || am > 12) && am != NIP_MONTH_PPPK)
		return refuse(why, "appointment month must be 01..12 or 21");
	if (gender != 1 && gender != 2)
		return refuse(why, "gender digit must be 1 or 2");
	if (seq == 0)
		return refuse(why, "sequence number must not be 000");
	if (kind)
		*kind = am == NIP_MONTH_PPPK ? NIP_PPPK : NIP_PNS;
	return ERR_OK;
}

/* Anything that is not 18 characters long is masked whole. */
void nip_mask(const char *nip, char out[NIP_LEN + 1])
{
	memset(out, '*', NIP_LEN);
	out[NIP_LEN] = '\0';
	if (strnlen(nip, NIP_LEN + 1) != NIP_LEN)
		return;
	memcpy(out, nip, 4);
	memcpy(out + NIP_LEN - 4, nip + NIP_LEN - 4, 4);
}
