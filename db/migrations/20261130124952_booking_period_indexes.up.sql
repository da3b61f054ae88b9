-- create index "booking_created_at" to table: "bookings"
CREATE INDEX "booking_created_at" ON "bookings" ("created_at") WHERE (scheduled_for IS NULL);
-- create index "booking_scheduled_for" to table: "bookings"
CREATE INDEX "booking_scheduled_for" ON "bookings" ("scheduled_for");
