"""Key sets of the example payloads in `shared/reference/lever-api.md` §5 (the S1 examples together with the
real 2026 recordings; legacy keys of §10 row 7 left out): what every served or generated object must carry."""

LEGACY = {"archivedAt", "archiveReason", "resume"}
OPPORTUNITY_KEYS = {
    # S1 example ∪ real 2026 recordings
    "id", "name", "headline", "contact", "emails", "phones", "confidentiality", "location", "links", "createdAt",
    "updatedAt", "lastInteractionAt", "lastAdvancedAt", "snoozedUntil", "stage", "stageChanges", "owner", "tags",
    "sources", "origin", "sourcedBy", "applications", "followers", "urls", "dataProtection", "isAnonymized",
    "archived",
}  # fmt: skip
APPLICATION_KEYS = {
    "id", "opportunityId", "candidateId", "createdAt", "type", "posting", "user", "name", "email", "phone",
    "requisitionForHire", "ownerId", "hiringManager", "company", "links", "comments", "customQuestions",
    "postingHiringManager", "postingOwner", "archived", "ipAddress", "referer", "userAgent", "acceptLanguage",
    "timezone",
}  # fmt: skip
USER_KEYS = {
    "id", "name", "username", "email", "createdAt", "deactivatedAt", "externalDirectoryId", "accessRole", "photo",
    "linkedContactIds", "jobTitle", "managerId",
}  # fmt: skip
POSTING_KEYS = {
    "id", "text", "createdAt", "updatedAt", "user", "owner", "hiringManager", "confidentiality", "categories",
    "content", "country", "tags", "state", "distributionChannels", "reqCode", "requisitionCodes",
    "salaryDescription", "salaryDescriptionHtml", "salaryRange", "urls", "workplaceType", "followers",
    "transcribeInterviews", "screening",
}  # fmt: skip
NOTE_KEYS = {"id", "text", "fields", "user", "secret", "completedAt", "createdAt", "deletedAt"}
NOTE_FIELD_KEYS = {"type", "text", "value", "createdAt", "user", "score", "stage"}
FEEDBACK_KEYS = {
    "id", "type", "text", "instructions", "fields", "baseTemplateId", "interview", "panel", "user", "createdAt",
    "updatedAt", "completedAt", "deletedAt",
}  # fmt: skip
FEEDBACK_TEMPLATE_KEYS = {"id", "text", "group", "instructions", "fields", "createdAt", "stage", "updatedAt"}
TEMPLATE_FIELD_KEYS = {"description", "required", "text", "type", "id"}
INTERVIEW_KEYS = {
    "id", "panel", "subject", "note", "interviewers", "timezone", "createdAt", "date", "duration", "location",
    "feedbackTemplate", "feedbackForms", "feedbackReminder", "user", "stage", "canceledAt", "postings",
    "gcalEventUrl", "opportunityId",
}  # fmt: skip
PANEL_KEYS = {
    "id", "applications", "canceledAt", "createdAt", "start", "end", "timezone", "feedbackReminder", "user",
    "stage", "note", "externallyManaged", "externalUrl", "interviews",
}  # fmt: skip
PANEL_INTERVIEW_KEYS = {
    "id", "date", "duration", "feedbackReminder", "feedbackTemplate", "interviewers", "location", "note", "subject",
}  # fmt: skip
OFFER_KEYS = {"id", "createdAt", "status", "creator", "fields", "sentDocument", "signedDocument"}
REFERRAL_KEYS = {
    "id", "type", "text", "instructions", "fields", "baseTemplateId", "user", "referrer", "stage", "createdAt",
    "completedAt",
}  # fmt: skip
REQUISITION_KEYS = {
    "id", "createdAt", "confidentiality", "status", "name", "requisitionCode", "headcountTotal", "headcountHired",
    "headcountInfinite", "backfill", "creator", "owner", "hiringManager", "internalNotes", "compensationBand",
    "approval", "employmentStatus", "location", "team", "department", "postings", "offerIds", "timeToFillStartAt",
    "timeToFillEndAt", "updatedAt", "customFields", "closedAt",
}  # fmt: skip
RESUME_KEYS = {"id", "createdAt", "file", "parsedData"}
RESUME_FILE_KEYS = {"name", "ext", "downloadUrl", "uploadedAt", "status", "size"}
FILE_KEYS = {"id", "downloadUrl", "ext", "name", "uploadedAt", "status", "size"}
FORM_KEYS = {
    "id", "type", "text", "instructions", "baseTemplateId", "fields", "user", "stage", "createdAt", "completedAt",
    "deletedAt",
}  # fmt: skip
CONTACT_KEYS = {"id", "name", "headline", "isAnonymized", "location", "emails", "phones"}
