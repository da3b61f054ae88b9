-- reverse: create index "booking_scheduled_for" to table: "bookings"
DROP INDEX "booking_scheduled_for";
-- reverse: create index "booking_created_at" to table: "bookings"
DROP INDEX "booking_created_at";
