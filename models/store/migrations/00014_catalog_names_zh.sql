-- +goose Up
-- Catalog names in Simplified Chinese beside the English ones (issue 12):
-- regions, providers and access points (name, location, IDC name and
-- address) may carry a zh-CN name; '' when the catalog gives none, and the
-- English name is shown instead.
ALTER TABLE regions ADD COLUMN name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE providers ADD COLUMN name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE access_points ADD COLUMN name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE access_points ADD COLUMN location_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE access_points ADD COLUMN idc_name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE access_points ADD COLUMN idc_address_zh TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE access_points DROP COLUMN idc_address_zh;
ALTER TABLE access_points DROP COLUMN idc_name_zh;
ALTER TABLE access_points DROP COLUMN location_zh;
ALTER TABLE access_points DROP COLUMN name_zh;
ALTER TABLE providers DROP COLUMN name_zh;
ALTER TABLE regions DROP COLUMN name_zh;
