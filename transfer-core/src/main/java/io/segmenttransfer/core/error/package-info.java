/**
 * The closed set of failures the project reports, rooted at the sealed SegmentTransferException:
 * invalid archives and requests, CRC mismatches, write and crypter failures, and SourceException
 * with its subclasses that every store maps its errors to. Callers branch on the type and
 * isRetryable(), never on the message; no logic beyond that lives here.
 */
package io.segmenttransfer.core.error;
