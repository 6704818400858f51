/* libFuzzer target: what an uploaded file is (lib/filecheck.h): the sniffer
 * always answers a MIME type; a PDF either opens with at least one page or
 * is refused; an image either decodes and is re-encoded into a file that
 * sniffs as the type announced, no larger than FILECHECK_IMAGE_SIDE on its
 * long side, or is refused (never a crash, a hang or a leak: libFuzzer's
 * ASan and timeout see to that). The first byte picks the type claimed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/filecheck.h"

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 256 * 1024)
		return 0;
	static const char *const claims[] = {"image/jpeg", "image/png", "image/webp", "application/pdf"};
	const char *claim = claims[data[0] % 4];
	data++, size--;
	char mime[FILECHECK_MIME_MAX];
	CHECK(filecheck_sniff(data, size, mime) == 0);
	CHECK(mime[0] && strlen(mime) < FILECHECK_MIME_MAX);
	if (!strcmp(claim, "application/pdf")) {
		int pages = filecheck_pdf_pages(data, size);
		CHECK(pages == -1 || pages >= 1);
		if (pages >= 1)
			CHECK(size >= 5 && !memcmp(data, "%PDF-", 5));
		return 0;
	}
	struct buf out;
	buf_init(&out, 64u << 20);
	char out_mime[FILECHECK_MIME_MAX];
	int rc = filecheck_image_clean(data, size, claim, &out, out_mime);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(out.len > 0);
		char again[FILECHECK_MIME_MAX];
		CHECK(filecheck_sniff(buf_str(&out), out.len, again) == 0);
		CHECK(!strcmp(again, out_mime));
	}
	buf_cleanup(&out);
	return 0;
}
