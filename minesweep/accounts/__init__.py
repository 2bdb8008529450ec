"""Staff, roles, departments, jurisdictions and two-factor login (工作人员、角色、辖区)."""
