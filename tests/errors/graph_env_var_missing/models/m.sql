select '{{ env_var("ERR_REGION") }}' as region
