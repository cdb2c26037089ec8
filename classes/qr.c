/* qr.c — QR codes from libqrencode as cairo rectangles, with a quiet zone of QR_QUIET modules. */
#include "classes/qr.h"

#include <stddef.h>

#include <qrencode.h>

int qr_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
	if (!text || !*text)
		return -1;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return -1;
	int w = q->width;
	double m = size / (w + 2 * QR_QUIET);
	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	/* One rectangle per horizontal run of dark modules, all in one path filled once: fewer
	   objects in the PDF and no hairline seams between neighbours when a viewer rasterises. */
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
	for (int r = 0; r < w; r++) {
		const unsigned char *row = q->data + (size_t)r * (size_t)w;
		for (int c = 0; c < w;) {
			if (!(row[c] & 1)) {
				c++;
				continue;
			}
			int c0 = c;
			while (c < w && (row[c] & 1))
				c++;
			cairo_rectangle(cr, x + (QR_QUIET + c0) * m, y + (QR_QUIET + r) * m, (c - c0) * m, m);
		}
	}
	cairo_fill(cr);
	cairo_restore(cr);
	QRcode_free(q);
	return w;
}

int qr_modules(const char *text)
{
	if (!text || !*text)
		return -1;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return -1;
	int w = q->width;
	QRcode_free(q);
	return w;
}
