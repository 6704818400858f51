#include "err.h"

#include <stddef.h>
#include <string.h>

static const struct err_info table[ERR__COUNT] = {
    [ERR_OK] = {ERR_OK, 200, "ok", "สำเร็จ"},
    [ERR_BAD_REQUEST] = {ERR_BAD_REQUEST, 400, "bad-request", "คำขอไม่ถูกต้อง"},
    [ERR_BAD_JSON] = {ERR_BAD_JSON, 400, "bad-json", "ข้อมูล JSON ไม่ถูกต้อง"},
    [ERR_BAD_FORM] = {ERR_BAD_FORM, 400, "bad-form", "ข้อมูลแบบฟอร์มไม่ถูกต้อง"},
    [ERR_BAD_FIELD] = {ERR_BAD_FIELD, 400, "bad-field", "ข้อมูลในช่องไม่ถูกต้อง"},
    [ERR_UNAUTHORIZED] = {ERR_UNAUTHORIZED, 401, "unauthorized", "กรุณาเข้าสู่ระบบก่อน"},
    [ERR_LOGIN_FAILED] = {ERR_LOGIN_FAILED, 401, "login-failed", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"},
    [ERR_CSRF] = {ERR_CSRF, 403, "csrf",
                  "โทเค็นป้องกันการปลอมแปลงคำขอ (CSRF) ไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"},
    [ERR_FORBIDDEN] = {ERR_FORBIDDEN, 403, "forbidden", "ท่านไม่มีสิทธิ์เข้าถึงส่วนนี้"},
    [ERR_NOT_FOUND] = {ERR_NOT_FOUND, 404, "not-found", "ไม่พบหน้าที่ต้องการ"},
    [ERR_METHOD] = {ERR_METHOD, 405, "method-not-allowed", "ไม่รองรับวิธีการเรียกนี้"},
    [ERR_NOT_ACCEPTABLE] = {ERR_NOT_ACCEPTABLE, 406, "not-acceptable", "ไม่มีรูปแบบข้อมูลที่ขอ"},
    [ERR_CONFLICT] = {ERR_CONFLICT, 409, "conflict", "คำขอขัดแย้งกับข้อมูลปัจจุบัน"},
    [ERR_TOO_LARGE] = {ERR_TOO_LARGE, 413, "too-large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"},
    [ERR_MEDIA_TYPE] = {ERR_MEDIA_TYPE, 415, "unsupported-media-type", "ไม่รองรับชนิดข้อมูลที่ส่งมา"},
    [ERR_INVALID] = {ERR_INVALID, 422, "invalid", "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบ"},
    [ERR_THROTTLED] = {ERR_THROTTLED, 429, "throttled", "พยายามหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่"},
    [ERR_INTERNAL] = {ERR_INTERNAL, 500, "internal", "เกิดข้อผิดพลาดภายในระบบ"},
    [ERR_UNAVAILABLE] = {ERR_UNAVAILABLE, 503, "unavailable", "ระบบไม่พร้อมให้บริการชั่วคราว"},
    [ERR_OUT_OF_SCOPE] = {ERR_OUT_OF_SCOPE, 403, "out-of-scope", "รายการนี้อยู่นอกหน่วยงานที่ท่านรับผิดชอบ"},
    [ERR_DISTRICT_ONLY] = {ERR_DISTRICT_ONLY, 403, "district-only", "ทำได้เฉพาะเจ้าหน้าที่ของอำเภอ"},
    [ERR_NOT_OWN_DISTRICT] = {ERR_NOT_OWN_DISTRICT, 403, "not-own-district",
                              "แก้ไขได้เฉพาะรายการของอำเภอของท่าน (ท่านดูรายการนี้ได้อย่างเดียว)"},
    [ERR_ENTRY_NOT_FOUND] = {ERR_ENTRY_NOT_FOUND, 404, "entry-not-found", "ไม่พบรายการนี้ในทะเบียน"},
    [ERR_NO_CID] = {ERR_NO_CID, 404, "no-cid", "รายการนี้ไม่มีเลขประจำตัวประชาชน"},
    [ERR_PERIOD_CLOSED] = {ERR_PERIOD_CLOSED, 409, "period-closed",
                           "งวดของรายการนี้ปิดแล้ว เพิ่ม แก้ไข หรือยกเลิกรายการไม่ได้"},
    [ERR_ALREADY_VOID] = {ERR_ALREADY_VOID, 409, "already-void", "รายการนี้ถูกยกเลิกแล้ว"},
    [ERR_PURGED] = {ERR_PURGED, 409, "purged", "ข้อมูลส่วนบุคคลของรายการนี้ถูกลบตามระยะเวลาเก็บรักษาแล้ว แก้ไขไม่ได้"},
    [ERR_VERSION_CONFLICT] = {ERR_VERSION_CONFLICT, 409, "version-conflict",
                              "ข้อมูลนี้ถูกแก้ไขไปแล้วหลังจากที่ท่านเปิดดู กรุณาโหลดหน้าใหม่แล้วแก้ไขอีกครั้ง"},
    [ERR_DUPLICATE] = {ERR_DUPLICATE, 409, "duplicate", "ข้อมูลซ้ำกับที่มีอยู่แล้ว"},
    [ERR_BAD_DATE] = {ERR_BAD_DATE, 400, "bad-date", "วันที่ไม่ถูกต้องหรืออยู่นอกช่วงที่ระบบรองรับ"},
    [ERR_LOGIN_CROSS_SITE] = {ERR_LOGIN_CROSS_SITE, 403, "login-cross-site", "ไม่อนุญาตให้เข้าสู่ระบบจากเว็บไซต์อื่น"},
    [ERR_LOGIN_LOCKED] = {ERR_LOGIN_LOCKED, 429, "login-locked",
                          "การเข้าสู่ระบบถูกล็อกชั่วคราว เพราะใส่รหัสผ่านผิดหลายครั้ง"},
    [ERR_SURVEY_NOT_FOUND] = {ERR_SURVEY_NOT_FOUND, 404, "survey-not-found",
                              "ไม่พบแบบสำรวจนี้ ลิงก์อาจไม่ครบหรือพิมพ์ผิด"},
    [ERR_SURVEY_USED] = {ERR_SURVEY_USED, 409, "survey-used", "แบบสำรวจนี้ได้รับคำตอบแล้ว ขอบคุณที่ร่วมตอบ"},
    [ERR_SURVEY_EXPIRED] = {ERR_SURVEY_EXPIRED, 410, "survey-expired", "ลิงก์แบบสำรวจนี้หมดอายุแล้ว"},
    [ERR_SURVEY_POINT_NOT_FOUND] = {ERR_SURVEY_POINT_NOT_FOUND, 404, "survey-point-not-found",
                                    "ไม่พบแบบสำรวจของจุดให้บริการนี้"},
    [ERR_SURVEY_TOO_FAST] = {ERR_SURVEY_TOO_FAST, 422, "survey-too-fast",
                             "ส่งคำตอบเร็วเกินไป กรุณาตรวจคำตอบอีกครั้งแล้วกดส่ง"},
    [ERR_SURVEY_FORM_STALE] = {ERR_SURVEY_FORM_STALE, 400, "survey-form-stale",
                               "แบบสำรวจนี้เปิดไว้นานเกินไปหรือไม่ได้เปิดจากเครื่องนี้ กรุณาตรวจคำตอบแล้วกดส่งอีกครั้ง"},
    [ERR_SURVEY_HONEYPOT] = {ERR_SURVEY_HONEYPOT, 422, "survey-honeypot",
                             "ระบบไม่รับคำตอบนี้ เพราะมีข้อความในช่องที่ต้องเว้นว่างไว้"},
    [ERR_SURVEY_ADDRESS_LIMIT] = {ERR_SURVEY_ADDRESS_LIMIT, 429, "survey-address-limit",
                                  "มีผู้ตอบแบบสำรวจจากเครือข่ายนี้ครบจำนวนแล้ว กรุณาลองใหม่ภายหลัง"},
    [ERR_SURVEY_DEVICE_LIMIT] = {ERR_SURVEY_DEVICE_LIMIT, 429, "survey-device-limit",
                                 "เครื่องนี้ตอบแบบสำรวจครบจำนวนแล้ว กรุณาลองใหม่ภายหลัง"},
    /* The statistics (issue 10, web/stats.c). */
    [ERR_STATS_UNIT_NOT_FOUND] = {ERR_STATS_UNIT_NOT_FOUND, 404, "stats-unit-not-found", "ไม่พบหน่วยงานนี้"},
    [ERR_STATS_BAD_PERIOD] = {ERR_STATS_BAD_PERIOD, 400, "stats-bad-period",
                              "รอบสถิติไม่ถูกต้อง ระบุ period=ปปปป-ดด (ค.ศ.) หรือ fy=ปีงบประมาณ พ.ศ. อย่างใดอย่างหนึ่ง"},
    [ERR_STATS_NOT_CLOSED] = {ERR_STATS_NOT_CLOSED, 404, "stats-not-closed",
                              "รอบสถิตินี้ยังไม่ปิด สถิติสาธารณะแสดงเฉพาะรอบที่ปิดแล้ว"},
    /* The duty roster and official orders (issue 11). */
    [ERR_ROSTER_READ_ONLY] = {ERR_ROSTER_READ_ONLY, 403, "roster-read-only",
                              "ทะเบียนเวรแก้ไขได้เฉพาะผู้ดูแลระบบของอำเภอนั้น"},
    [ERR_ROSTER_PERSON_NOT_FOUND] = {ERR_ROSTER_PERSON_NOT_FOUND, 404, "roster-person-not-found",
                                     "ไม่พบผู้ปฏิบัติหน้าที่นี้ในทะเบียนเวรของอำเภอ"},
    [ERR_ROSTER_DUTY_NOT_FOUND] = {ERR_ROSTER_DUTY_NOT_FOUND, 404, "roster-duty-not-found",
                                   "ไม่พบเวรนี้ในทะเบียนเวรของอำเภอ"},
    [ERR_ROSTER_DUTY_EXISTS] = {ERR_ROSTER_DUTY_EXISTS, 409, "roster-duty-exists",
                                "ผู้นี้มีเวรในวันและช่วงเวลานั้นอยู่แล้ว"},
    [ERR_ROSTER_PERSON_EXISTS] = {ERR_ROSTER_PERSON_EXISTS, 409, "roster-person-exists",
                                  "ผู้ใช้นี้อยู่ในทะเบียนเวรของอำเภอแล้ว"},
    [ERR_HOLIDAY_NOT_FOUND] = {ERR_HOLIDAY_NOT_FOUND, 404, "holiday-not-found", "ไม่พบวันหยุดราชการในวันนี้"},
    [ERR_HOLIDAY_LIST_INVALID] = {ERR_HOLIDAY_LIST_INVALID, 422, "holiday-list-invalid",
                                  "อ่านรายการวันหยุดไม่ได้ กรุณาแก้บรรทัดที่แจ้ง"},
    [ERR_ORDER_NOT_FOUND] = {ERR_ORDER_NOT_FOUND, 404, "order-not-found", "ไม่พบคำสั่งนี้"},
    [ERR_ORDER_ISSUED] = {ERR_ORDER_ISSUED, 409, "order-issued",
                          "คำสั่งนี้ออกแล้ว แก้ไขไม่ได้ หากต้องการแก้ไขให้ออกคำสั่งใหม่ที่แก้ไขหรือยกเลิกคำสั่งนี้"},
    [ERR_ORDER_NOT_ISSUED] = {ERR_ORDER_NOT_ISSUED, 409, "order-not-issued",
                              "คำสั่งนี้ยังไม่ได้ออก จึงยกเลิกหรือแก้ไขด้วยคำสั่งใหม่ไม่ได้"},
    [ERR_ORDER_CANCELLED] = {ERR_ORDER_CANCELLED, 409, "order-cancelled", "คำสั่งนี้ถูกยกเลิกแล้ว"},
    [ERR_ORDER_NUMBER_TAKEN] = {ERR_ORDER_NUMBER_TAKEN, 409, "order-number-taken",
                                "เลขที่คำสั่งนี้ใช้แล้วในปีนี้ของหน่วยงาน"},
    [ERR_ORDER_OFFICE_ONLY] = {ERR_ORDER_OFFICE_ONLY, 403, "order-office-only",
                               "คำสั่งออกโดยผู้ดูแลระบบของอำเภอหรือจังหวัดเท่านั้น"},
    [ERR_ORDER_TEMPLATE_INVALID] = {ERR_ORDER_TEMPLATE_INVALID, 422, "order-template-invalid",
                                    "แม่แบบคำสั่งไม่ถูกต้อง"},
    [ERR_ORDER_READ_ONLY] = {ERR_ORDER_READ_ONLY, 403, "order-read-only",
                             "คำสั่งนี้แก้ไขหรือออกได้เฉพาะผู้ดูแลระบบของหน่วยงานที่ออกคำสั่ง"},
    /* The manual, contacts and แจ้งปัญหา (issue 11 steps 7-9). */
    [ERR_HELP_SECTION_NOT_FOUND] = {ERR_HELP_SECTION_NOT_FOUND, 404, "help-section-not-found",
                                    "ไม่พบหัวข้อนี้ในคู่มือ"},
    [ERR_HELP_DOC_NOT_FOUND] = {ERR_HELP_DOC_NOT_FOUND, 404, "help-doc-not-found", "ไม่พบเอกสารนี้"},
    [ERR_FILE_TYPE] = {ERR_FILE_TYPE, 415, "file-type", "ไม่รับไฟล์ชนิดนี้"},
    [ERR_FILE_TOO_LARGE] = {ERR_FILE_TOO_LARGE, 413, "file-too-large", "ไฟล์มีขนาดใหญ่เกินกำหนด"},
    [ERR_FILE_DAMAGED] = {ERR_FILE_DAMAGED, 422, "file-damaged", "เปิดไฟล์นี้ไม่ได้ ไฟล์อาจเสียหาย"},
    [ERR_TOO_MANY_FILES] = {ERR_TOO_MANY_FILES, 422, "too-many-files", "แนบไฟล์ได้ไม่เกินจำนวนที่กำหนด"},
    [ERR_CONTACT_NOT_FOUND] = {ERR_CONTACT_NOT_FOUND, 404, "contact-not-found", "ไม่พบรายชื่อผู้ติดต่อนี้"},
    [ERR_CHANNEL_NOT_FOUND] = {ERR_CHANNEL_NOT_FOUND, 404, "channel-not-found", "ไม่พบช่องทางประสานงานนี้"},
    [ERR_CHANNEL_LEVEL] = {ERR_CHANNEL_LEVEL, 409, "channel-level",
                           "ช่องทางประสานงานกำหนดได้เฉพาะระดับจังหวัดและส่วนกลาง"},
    [ERR_HELPDESK_NOT_FOUND] = {ERR_HELPDESK_NOT_FOUND, 404, "helpdesk-not-found", "ไม่พบเรื่องแจ้งปัญหานี้"},
    [ERR_HELPDESK_CLOSED] = {ERR_HELPDESK_CLOSED, 409, "helpdesk-closed", "เรื่องนี้ปิดแล้ว ตอบเพิ่มไม่ได้"},
    [ERR_HELPDESK_NOT_PARTY] = {ERR_HELPDESK_NOT_PARTY, 403, "helpdesk-not-party",
                                "ทำได้เฉพาะอำเภอที่แจ้งเรื่องและหน่วยงานที่รับเรื่อง"},
    [ERR_ATTACHMENT_NOT_FOUND] = {ERR_ATTACHMENT_NOT_FOUND, 404, "attachment-not-found", "ไม่พบไฟล์แนบนี้"},
    [ERR_ATTACHMENT_PURGED] = {ERR_ATTACHMENT_PURGED, 410, "attachment-purged",
                               "ไฟล์แนบนี้ถูกลบตามระยะเวลาเก็บรักษาแล้ว"},
};

const struct err_info *err_info(enum err code)
{
	if ((int)code < 0 || code >= ERR__COUNT || table[code].slug == NULL)
		return &table[ERR_INTERNAL];
	return &table[code];
}

enum err err_from_slug(const char *s)
{
	for (int i = 0; s && i < ERR__COUNT; i++)
		if (table[i].slug && !strcmp(table[i].slug, s))
			return (enum err)i;
	return ERR__COUNT;
}
