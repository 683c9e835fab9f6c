"""Material files go out only through here, after the caller's selector checked access."""

from sanyuan.files import protected_file_response

from .models import ActivityMaterial


def material_file_response(material: ActivityMaterial):
    inline = material.is_image or material.content_type == "application/pdf"
    return protected_file_response(
        material.file,
        filename=material.original_name or material.title,
        content_type=material.content_type or "application/octet-stream",
        inline=inline,
    )
