with

categories as (
    select * from {{ ref('complaint_categories') }}
)

select
    -- ids
    category_code,
    -- level 3 (the ticket's category)
    category_name,
    category_name_en,
    -- level 2
    l2_code,
    l2_name,
    l2_name_en,
    -- level 1
    l1_code,
    l1_name,
    l1_name_en
from categories
