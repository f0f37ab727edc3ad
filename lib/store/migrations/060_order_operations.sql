-- How far each open order line has got through its routing: the qty done at a step (reported
-- by the shop floor or the ERP). The load engines plan only what is left: a step done for the
-- line's whole qty is skipped, a step begun has its setup behind it.
CREATE TABLE order_operations (
    line_id  BIGINT NOT NULL,
    step     INTEGER NOT NULL CHECK (step > 0),
    qty_done DOUBLE NOT NULL DEFAULT 0 CHECK (qty_done >= 0),
    PRIMARY KEY (line_id, step)
);
