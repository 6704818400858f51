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
    /* Table exports and external aggregates (issue 10, h-charts). */
    [ERR_TABLE_NOT_FOUND] = {ERR_TABLE_NOT_FOUND, 404, "table-not-found", "ไม่พบตารางที่ขอในหน้านี้"},
    [ERR_EXPORT_FORMAT] = {ERR_EXPORT_FORMAT, 400, "export-format",
                           "ส่งออกได้เฉพาะไฟล์ CSV (format=csv) หรือ Excel (format=xlsx)"},
    [ERR_EXTERNAL_FILE] = {ERR_EXTERNAL_FILE, 400, "external-file",
                           "อ่านไฟล์ข้อมูลภายนอกไม่ได้ ต้องเป็นไฟล์ CSV หรือ Excel (.xlsx) ที่มีแถวหัวตาราง"},
    [ERR_EXTERNAL_INVALID] = {ERR_EXTERNAL_INVALID, 422, "external-invalid",
                              "ข้อมูลในไฟล์ไม่ถูกต้อง ยังไม่ได้นำเข้าแถวใดเลย กรุณาแก้ไขตามรายการแล้วนำเข้าใหม่"},
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
