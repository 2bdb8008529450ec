"""Subject categories (主体类别): stable codes used by the policy packs, cases and analytics."""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "industrial_park": ("工业园区", "Industrial park"),
    "data_center": ("数据中心", "Data centre"),
    "captive_power_plant": ("自备电厂", "Captive power plant"),
    "big_data_or_cloud": ("大数据中心、云计算企业", "Big-data centre or cloud enterprise"),
    "telecom_or_internet": ("通讯企业、互联网企业", "Telecom or internet enterprise"),
    "internet_cafe": ("网吧", "Internet café"),
    "unapproved_power_project": (
        "未经报批私自接入动力电源的项目",
        "Project connected to power without approval",
    ),
    "enterprise": ("企业", "Enterprise"),
    "individual": ("个人", "Individual"),
    "public_official": ("公职人员", "Public official"),
}
