-- 040: time already spent in an agenda section, so that going back to a section in presenter
-- mode resumes its countdown instead of restarting it. The running stretch is
-- now - started_at while ended_at is NULL; leaving the section adds it here.
ALTER TABLE agenda_items ADD COLUMN seconds_spent DOUBLE NOT NULL DEFAULT 0;
