/** The date stamped on every entry of the zips the fixtures and world files make, so that they are byte-for-byte reproducible. */
export const ZIP_DATE = new Date(Date.UTC(2025, 0, 15, 10, 20, 30));
