select 0 as gmodel_test, failures, should_warn, should_error from (select count(*) as failures, false as should_warn, false as should_error from (select 0 as x) t
) as gmodel_test_0
union all
select 1 as gmodel_test, failures, should_warn, should_error from (select count(*) as failures, false as should_warn, false as should_error from (select 1 as x) t
) as gmodel_test_1
